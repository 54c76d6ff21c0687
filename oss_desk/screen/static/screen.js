// The waiting-room screen: shows the state the server pushes (server-sent events), chimes and
// says each new call. No names, nothing from elsewhere, no build step. A kiosk browser needs
// its autoplay policy relaxed for sound (see the README); a click on the page allows it too.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const record = { shown: {}, chimes: 0, spoken: [], states: 0 };
  window.ossDeskScreen = record; // what the page did, for tests and benchmarks (codes only)
  // The newest call the page had seen, carried across a reload (an upgrade of the server
  // reloads the page): a call made meanwhile is then chimed and said, not only shown. Kept
  // for a couple of minutes at most: a page opened later announces nothing it finds.
  const SEEN_KEY = "ossDeskScreenSeen";
  const SEEN_FOR_MS = 120000;
  let seen = carriedSeen();
  let version = null;
  let source = null;
  let lastMessage = Date.now();
  let audio = null;
  let speech = true;
  const pending = [];
  let announcing = false;

  const both = (list) => (list || []).join(" / ");

  function text(element, value) {
    if (element.textContent !== value) element.textContent = value;
  }

  function deskText(call) {
    return both(call.desk);
  }

  function render(state) {
    text($("site"), both(state.site));
    text($("now-title"), both(state.texts.now));
    text($("previous-title"), both(state.texts.previous));
    text($("waiting-title"), both(state.texts.waiting));
    text($("offline"), both(state.texts.offline));
    document.documentElement.lang = state.languages[0];
    const latest = state.calls[0];
    const box = $("latest");
    text(box.querySelector(".code"), latest ? latest.code : "");
    // Nobody called and the office not open: "Office closed" (the day over, or a day it does
    // not open), or "Opens at 09:00" before opening time.
    text(box.querySelector(".desk"), latest ? deskText(latest) : both(state.closed));
    box.querySelector(".arrow").hidden = !latest;
    const list = $("previous-list");
    const rows = state.calls.slice(1, 1 + state.previous).map((call) => {
      const li = document.createElement("li");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = call.code;
      li.append(code, "\u2192 " + deskText(call));
      return li;
    });
    list.replaceChildren(...rows);
    const waiting = $("waiting-list");
    const counts = state.waiting.map((item) => {
      const li = document.createElement("li");
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = String(item.count);
      li.append(both(item.label), count);
      return li;
    });
    if (!counts.length) {
      const li = document.createElement("li");
      li.textContent = both(state.texts.nobody);
      counts.push(li);
    }
    waiting.replaceChildren(...counts);
    const message = $("message");
    message.replaceChildren(...state.message.map((line, i) => {
      const span = document.createElement("span");
      span.className = i ? "second" : "";
      span.textContent = line;
      return span;
    }));
  }

  function carriedSeen() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SEEN_KEY) || "null");
      sessionStorage.removeItem(SEEN_KEY);
      const age = saved ? Date.now() - saved.at : Infinity;
      return Number.isInteger(saved && saved.seen) && age >= 0 && age < SEEN_FOR_MS
        ? saved.seen
        : null;
    } catch (error) {
      return null; // storage refused (a private window): announce from the next call
    }
  }

  function carrySeen() {
    try {
      if (seen !== null) sessionStorage.setItem(SEEN_KEY, JSON.stringify({ seen, at: Date.now() }));
    } catch (error) {
      // storage refused: the reloaded page shows the calls made meanwhile, unannounced
    }
  }

  function apply(state) {
    if (typeof state.version !== "string" || !state.version) return; // not a state
    if (version !== null && state.version !== version) {
      carrySeen();
      location.reload(); // the server was upgraded: take its new page
      return;
    }
    version = state.version;
    speech = state.speech;
    render(state);
    record.states += 1;
    const now = Date.now();
    for (const call of state.calls) {
      const key = call.code + "#" + call.id;
      if (!(key in record.shown)) record.shown[key] = now;
    }
    const newest = state.calls.reduce((most, call) => Math.max(most, call.id), seen || 0);
    if (seen !== null) {
      // Oldest first; a call made long ago (the screen was away) is shown, not announced.
      state.calls
        .filter((call) => call.id > seen && call.age < 120)
        .reverse()
        .forEach((call) => pending.push({ call, voices: state.voices }));
      if (pending.length) {
        const box = $("latest");
        box.classList.remove("fresh");
        void box.offsetWidth;
        box.classList.add("fresh");
        announceNext();
      }
    }
    seen = newest;
  }

  function chime() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      const start = audio.currentTime + 0.05;
      [[880, 0], [659.25, 0.45]].forEach(([frequency, delay]) => {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + delay);
        gain.gain.exponentialRampToValueAtTime(0.5, start + delay + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + delay + 0.9);
        tone.connect(gain).connect(audio.destination);
        tone.start(start + delay);
        tone.stop(start + delay + 0.95);
      });
      record.chimes += 1;
    } catch (error) {
      // no sound device: the screen still shows the call
    }
  }

  function say(call, voices, done) {
    if (!speech || !("speechSynthesis" in window)) return done();
    const available = window.speechSynthesis.getVoices();
    const lines = [];
    call.speech.forEach((line, i) => {
      const lang = voices[i] || "en-GB";
      const voice = available.find((v) => v.lang.toLowerCase().startsWith(lang.slice(0, 2)));
      if (!voice && !lang.startsWith("en")) return; // no Welsh voice here: English only
      const utterance = new SpeechSynthesisUtterance(line);
      utterance.lang = lang;
      if (voice) utterance.voice = voice;
      utterance.rate = 0.9;
      lines.push(utterance);
    });
    if (!lines.length) return done();
    let left = lines.length;
    const finished = () => { left -= 1; if (left === 0) done(); };
    lines.forEach((utterance) => {
      utterance.onend = finished;
      utterance.onerror = finished;
      record.spoken.push(utterance.text);
      window.speechSynthesis.speak(utterance);
    });
    setTimeout(() => { if (left > 0) { left = 0; done(); } }, 8000); // never stuck
  }

  function announceNext() {
    if (announcing || !pending.length) return;
    announcing = true;
    const { call, voices } = pending.shift();
    chime();
    setTimeout(() => say(call, voices, () => { announcing = false; announceNext(); }), 1300);
  }

  function online(yes) {
    $("offline").hidden = yes;
  }

  function connect() {
    if (source) source.close();
    source = new EventSource("/events");
    source.onmessage = (event) => {
      lastMessage = Date.now();
      online(true);
      apply(JSON.parse(event.data));
    };
    source.addEventListener("ping", () => { lastMessage = Date.now(); });
    source.onerror = () => {
      online(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    };
  }

  // A stream that stays silent (a proxy holding it, a server gone without a word) is replaced.
  setInterval(() => {
    if (Date.now() - lastMessage > 25000) {
      online(false);
      lastMessage = Date.now();
      connect();
    }
  }, 5000);

  // Sound needs a gesture in an ordinary browser: any click or key allows it from then on.
  const unlock = () => {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (Context && !audio) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  };
  document.addEventListener("click", unlock);
  document.addEventListener("keydown", unlock);

  // Keep a television's screen awake where the browser allows it.
  const awake = () => {
    if (navigator.wakeLock && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").catch(() => {});
    }
  };
  document.addEventListener("visibilitychange", awake);
  awake();
  connect();
})();
