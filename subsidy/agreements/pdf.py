"""Drawing the offer letter and grant agreement (``subsidy.agreements.document``) with fpdf2.

fpdf2 and the font tools it loads take half a second of CPU to import, so this module is
imported only by the processes that draw a document, not by every process that loads the
project (web workers, Celery workers, management commands).
"""

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansHant-Regular.otf"
FAMILY = "NotoSansTC"
# One face (no bold): headings stand out by size, colour and shading.
HEADINGS = FontFace(emphasis="", fill_color=(230, 238, 248))
TERMS = (
    ("The subsidy is used only for the project's eligible costs, as approved.",
     "資助只可用於已核准項目的合資格開支。"),
    ("Each tranche is paid after the programme officer verifies the progress report of its "
     "milestone; the first is paid only once every condition precedent is met.",
     "每期款項須待項目主任核實相關里程碑的進度報告後發放；首期款項須待所有先決條件達成後方會發放。"),
    ("The total paid never exceeds the approved amount; money not used as agreed is "
     "recovered.", "發放總額不會超過核准金額；未按協議使用的款項將予追回。"),
    ("The company keeps the project's records for seven years and lets Cyberport inspect "
     "them.", "受資助公司須保存項目紀錄七年，並容許數碼港查閱。"),
    ("Personal data is handled under the Personal Data (Privacy) Ordinance (Cap. 486).",
     "個人資料按《個人資料（私隱）條例》（第486章）處理。"),
    ("This agreement is governed by the laws of the Hong Kong Special Administrative Region.",
     "本協議受香港特別行政區法律管轄。"),
)


class _Agreement(FPDF):
    def __init__(self, terms):
        super().__init__(format="A4")
        self.reference = terms.reference
        self.add_font(FAMILY, "", str(FONT))
        self.set_font(FAMILY, size=10)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        # The decision's time, not now: the same terms give the same bytes.
        self.set_creation_date(terms.decided_at)
        self.set_title(f"Offer letter and grant agreement {terms.reference}")
        self.set_author("Cyberport")
        self.set_lang("en-HK")

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(100)
        self.cell(0, 5, f"{self.reference} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, english: str, chinese: str) -> None:
        self.ln(3)
        self.set_font(FAMILY, size=13)
        self.set_text_color(0, 70, 140)
        self.multi_cell(0, 7, f"{english}  {chinese}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str, *, size: int = 10, indent: float = 0) -> None:
        self.set_font(FAMILY, size=size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        with self.table(col_widths=(38, 62), first_row_as_headings=False,
                        line_height=6, borders_layout="HORIZONTAL_LINES") as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value)


def _variation_section(pdf: _Agreement, terms) -> None:
    pdf.set_font(FAMILY, size=12)
    pdf.multi_cell(0, 7, f"Version {terms.version}, as varied on {terms.decided_on}\n"
                         f"第 {terms.version} 版，於 {terms.decided_on} 修訂",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph("This version replaces the earlier ones, which are kept. It records these "
                  "changes: 本版本取代較早的版本（較早版本均予保存），並記錄以下修訂：")
    for text in terms.changes:
        pdf.paragraph(f"• {text}", indent=4)


def draw(terms) -> bytes:
    """The PDF of ``terms`` (an ``OfferTerms``); the same terms always give the same bytes."""
    pdf = _Agreement(terms)
    pdf.add_page()
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(0, 6, terms.scheme, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FAMILY, size=17)
    pdf.multi_cell(0, 9, "Offer Letter and Grant Agreement\n資助要約書及資助協議",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if terms.changes:
        _variation_section(pdf, terms)
    pdf.ln(2)
    pdf.set_font(FAMILY, size=10)
    pdf.facts([
        ("Reference 申請編號", terms.reference),
        ("Company 公司", "\n".join(filter(None, [terms.company_en, terms.company_zh]))),
        ("Business Registration 商業登記號碼", terms.br_number),
        ("Project 項目", terms.project),
        ("Project period 項目期間", terms.period),
        ("Round 輪次", terms.round),
        ("Total eligible cost 合資格開支總額", terms.eligible_cost),
        ("Approved subsidy 核准資助金額", terms.amount),
        ("Subsidy ratio 資助比例", terms.ratio),
        ("Decided on 批核日期", terms.decided_on),
        ("Offer open until 要約有效期至", terms.open_until),
    ])

    pdf.heading("1. The offer", "一、要約")
    pdf.paragraph(
        f"Cyberport offers {terms.company_en} a subsidy of {terms.amount}, {terms.ratio} of "
        "the project's eligible cost, for the project above, on the conditions and terms of "
        "this agreement.")
    pdf.paragraph(
        f"數碼港向{terms.company_zh or terms.company_en}提供資助{terms.amount}"
        f"（項目合資格開支的{terms.ratio}），用於上述項目，並受本協議的條件及條款約束。")

    pdf.heading("2. Conditions precedent", "二、先決條件")
    if terms.conditions:
        pdf.paragraph("The first payment is made only after the programme officer finds each "
                      "of these conditions met, on the evidence the company sends.")
        pdf.paragraph("首期款項須待項目主任根據公司提交的證明，確認以下各項條件均已達成後方會發放。")
        for number, text in enumerate(terms.conditions, start=1):
            pdf.paragraph(f"({number}) {text}", indent=4)
    else:
        pdf.paragraph("None. 無。")

    pdf.heading("3. Tranche schedule", "三、撥款時間表")
    with pdf.table(col_widths=(10, 52, 18, 22), line_height=6,
                   text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
                   headings_style=HEADINGS) as table:
        header = table.row()
        for label in ("No. 期數", "Deliverable 交付成果", "Due 到期日", "Amount 金額"):
            header.cell(label)
        for number, (deliverable, due, amount) in enumerate(terms.schedule, start=1):
            cells = table.row()
            for value in (str(number), deliverable, due, amount):
                cells.cell(value)

    pdf.heading("4. Terms", "四、條款")
    for number, (english, chinese) in enumerate(TERMS, start=1):
        pdf.paragraph(f"4.{number} {english}\n{chinese}")

    pdf.heading("5. Acceptance", "五、接受要約")
    pdf.paragraph(
        "An owner of the company accepts this offer by signing it online, giving their name "
        "and title. The time, the address they sign from and the SHA-256 of this document "
        "are recorded with the signature; the signed copy is kept by both parties.")
    pdf.paragraph("公司的擁有人須於網上簽署以接受本要約，並填寫姓名及職銜。系統會連同簽署記錄"
                  "簽署時間、IP 地址及本文件的 SHA-256 雜湊值；雙方均保存已簽署的文本。")
    return bytes(pdf.output())
