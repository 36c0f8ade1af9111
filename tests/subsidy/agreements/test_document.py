"""The offer letter and grant agreement PDF: bilingual, made from the terms, the same bytes
for the same terms."""

import io
import os

from pypdf import PdfReader

from subsidy.agreements.document import conditions_of, offer_document, render
from subsidy.scheme.models import Grant


def _text(content: bytes) -> str:
    # pypdf reads the two-byte codes of the embedded CJK font through its ToUnicode map but
    # leaves a NUL before each character and spaces between lines; compare without them.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.replace("\x00", "").split())


def _document(grant):
    return offer_document(Grant.objects.select_related(
        "application__organisation", "round__scheme").get(pk=grant.pk))


def test_the_offer_document_states_the_terms_in_english_and_chinese(offered_grant):
    document = _document(offered_grant)
    if os.environ.get("OFFER_PDF_OUT"):
        with open(os.environ["OFFER_PDF_OUT"], "wb") as out:
            out.write(document.content)
    text = _text(document.content)
    assert document.content.startswith(b"%PDF-")
    for expected in ("OfferLetterandGrantAgreement", "資助要約書及資助協議",
                     "粵語語音科技有限公司", "HK$1,000,000.00", "50%", "先決條件",
                     "Signthedata-sharingagreementwiththeclinics.", "提交經審計的財務報表。",
                     "撥款時間表", "Milestone1", "HK$400,000.00", "HK$300,000.00",
                     offered_grant.application.reference):
        assert expected in text, expected


def test_the_same_terms_give_the_same_bytes_and_a_change_another_hash(offered_grant):
    first = _document(offered_grant)
    render.cache_clear()  # drawn again, not taken from the process's cache
    assert _document(offered_grant).content == first.content
    Grant.objects.filter(pk=offered_grant.pk).update(conditions="Only one condition.")
    assert _document(offered_grant).sha256 != first.sha256


def test_each_line_of_the_decision_is_one_condition_without_its_own_numbering(offered_grant):
    assert conditions_of(offered_grant) == [
        "Sign the data-sharing agreement with the clinics.", "提交經審計的財務報表。"]
