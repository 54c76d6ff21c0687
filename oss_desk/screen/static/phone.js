// A ticket's phone page: its place and estimated wait, refreshed every 15 seconds.
"use strict";
(() => {
  const main = document.getElementById("phone");

  function block(tag, className, lines) {
    const element = document.createElement(tag);
    element.className = className;
    lines.forEach((line, i) => {
      const span = document.createElement("span");
      if (i) span.className = "second";
      span.textContent = line;
      element.append(span);
    });
    return element;
  }

  function render(state) {
    const parts = [block("h1", "title", state.title)];
    if (state.code) parts.push(block("p", "ticket", [state.code]));
    if (state.label) parts.push(block("p", "label", state.label));
    (state.lines || []).forEach((line) => parts.push(block("p", "line", [line])));
    if (state.updated) parts.push(block("p", "updated", state.updated));
    main.replaceChildren(...parts);
  }

  render(JSON.parse(document.getElementById("state").textContent));
  setInterval(() => {
    fetch(location.pathname + ".json", { cache: "no-store" })
      .then((response) => response.json())
      .then(render)
      .catch(() => {});
  }, 15000);
})();
