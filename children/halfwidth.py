"""Full-width (全角) forms that Chinese input methods type, to their half-width (半角) ASCII: the one table, used by
the ID-number normaliser (children.idnumber) and by the spreadsheet cells (children.sheets).

Digits, Latin letters, round brackets and the ideographic space; Chinese punctuation (，。：、) stays as typed, since
it is how Chinese text is written.
"""

TABLE = str.maketrans(
    {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}  # ０-９
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}  # Ａ-Ｚ
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}  # ａ-ｚ
    | {"（": "(", "）": ")", "\u3000": " "}
)


def half_width(text: str) -> str:
    return text.translate(TABLE)
