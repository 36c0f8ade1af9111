"""The check page before an irreversible act: what will happen, in the reader's words, with
the submitted values carried as hidden fields. "Confirm" posts them again with
``confirm``; "Change" posts them back to the form with ``change``, nothing lost."""

from django.shortcuts import render

SKIP = {"csrfmiddlewaretoken", "confirm", "change"}


def confirmed(request) -> bool:
    return request.method == "POST" and "confirm" in request.POST


def changing(request) -> bool:
    return request.method == "POST" and "change" in request.POST


def confirm_page(request, *, title: str, lead: str, facts: list, confirm_label: str,
                 danger: bool = False, back_url: str = "", rows=None, extra=None):
    """Render the check page; ``facts`` are (label, value) pairs, ``rows`` an optional table
    (headers, list of cells) for many decisions at once."""
    hidden = [(name, value) for name in request.POST if name not in SKIP
              for value in request.POST.getlist(name)]
    return render(request, "reviews/decisions/confirm.html", {
        "title": title, "lead": lead, "facts": facts, "confirm_label": confirm_label,
        "danger": danger, "hidden": hidden, "back_url": back_url, "rows": rows,
        **(extra or {})})
