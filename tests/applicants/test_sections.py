"""The application form's sections are named once, for the applicant's and the staff pages."""

from applicants.checks import SECTION_LABELS, SECTIONS


def test_every_section_has_a_label_in_the_forms_order():
    assert list(SECTION_LABELS) == list(SECTIONS)
