"""The languages an interpreter need may name: those UK councils' interpreting services are most
often asked for (their English names, as the 2021 census and the councils' interpreting
contracts list them), and the languages the office's staff list as skills in the site
configuration (:func:`oss_desk.domain.needs.spoken_languages`).

A language is a choice from a list, never free text: the need is kept in the event log for good
and in tables the purge does not clear, and shown on desks, so a name typed in its place
("interpreter:Anna Smith") would stay and be seen. A language missing here is added to a staff
member's ``skills`` (or to this list).
"""

from __future__ import annotations

_NAMES = """
Afrikaans; Akan; Albanian; Amharic; Arabic; Arabic (Middle Eastern); Arabic (North African);
Arabic (Sudanese); Armenian; Assyrian; Azerbaijani; Bajuni; Balochi; Bambara; Belarusian;
Bemba; Bengali; Berber; Bosnian; Brava; Bulgarian; Burmese; Cantonese; Cape Verdean Creole;
Catalan; Chechen; Chichewa; Chinese; Cornish; Croatian; Czech; Danish; Dari; Dinka; Dutch;
Edo; Estonian; Ewe; Fante; Farsi; Fijian; Filipino; Finnish; Flemish; French; Fula; Ga;
Georgian; German; Greek; Gujarati; Hakka; Hausa; Hebrew; Hindi; Hindko; Hmong; Hokkien;
Hungarian; Icelandic; Igbo; Ilocano; Indonesian; Irish; Italian; Jamaican Creole; Japanese;
Kannada; Karen; Kashmiri; Kazakh; Khmer; Kikuyu; Kinyarwanda; Kirundi; Konkani; Korean; Krio;
Kurdish; Kurdish (Badini); Kurdish (Kurmanji); Kurdish (Sorani); Kyrgyz; Lao; Latvian; Lingala;
Lithuanian; Luganda; Luo; Macedonian; Malay; Malayalam; Maltese; Mandarin; Mandinka; Manx;
Marathi; Mirpuri; Moldovan; Mongolian; Ndebele; Nepali; Norwegian; Nuer; Odia; Oromo; Pahari;
Pashto; Patois; Persian; Polish; Portuguese; Portuguese (Brazil); Portuguese (Portugal);
Pothwari; Punjabi; Romani; Romanian; Russian; Saraiki; Scots; Scottish Gaelic; Serbian;
Sesotho; Setswana; Shona; Sindhi; Sinhala; Slovak; Slovenian; Somali; Spanish; Swahili;
Swedish; Sylheti; Tagalog; Tajik; Tamil; Telugu; Tetum; Thai; Tibetan; Tigre; Tigrinya;
Turkish; Turkmen; Twi; Ukrainian; Urdu; Uyghur; Uzbek; Vietnamese; Welsh; Wolof; Xhosa; Yiddish;
Yoruba; Zulu
"""

INTERPRETED: frozenset[str] = frozenset(
    " ".join(name.split()).lower() for name in _NAMES.split(";") if name.strip()
)
"""The languages an interpreter is commonly found for, as recorded (lower case)."""

EXAMPLES = "Polish, Portuguese (Brazil), Kurdish (Sorani)"
