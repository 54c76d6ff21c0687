"""Pure domain: dataclasses, enums and rules. No I/O, no storage, no Textual."""
