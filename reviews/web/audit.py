"""The staff application page's audit trail as people read it: a verb for each action
("Section saved", "Passed to review"), and each change as a field's name with its old and
new values, instead of action codes and Python dictionaries."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from applicants.workflow import TRANSITIONS_BY_NAME

ACTION_LABELS = {
    "application.create": _("Draft started"),
    "application.save_section": _("Section saved"),
    "application.upload_document": _("Document uploaded"),
    "application.delete_document": _("Document removed"),
    "application.download_document": _("Document downloaded"),
    "application.document_scanned": _("Document checked for viruses"),
    "security.upload_infected": _("Upload refused: a virus was found"),
    "application.documents_erased": _("Documents erased"),
    "application.draft_erased": _("Draft erased"),
    "grant.approve": _("Grant approved"),
    "grant.activate": _("Grant activated"),
    "grant.schedule_set": _("Tranche schedule set"),
    "grant.complete": _("Grant completed"),
    "grant.terminate": _("Grant terminated"),
    "grant.lifecycle_repair": _("Grant repaired to follow the application"),
}

KEY_LABELS = {
    "section": _("Sections"),
    "note": _("Note"),
    "reason": _("Reason"),
    "document_type": _("Document"),
}


def action_label(action: str) -> str:
    """The verb of an audit action: a transition's own label, a known action's, or the
    code made readable ("reviewer_pool.add" → "Reviewer pool: add")."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    kind, _dot, verb = action.partition(".")
    if kind == "application" and verb in TRANSITIONS_BY_NAME:
        return str(TRANSITIONS_BY_NAME[verb].label)
    return f"{kind.replace('_', ' ').capitalize()}: {verb.replace('_', ' ')}"


def _field_label(model, key: str) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        # A reverse relation ("tranches" of a grant) has no verbose name of its own.
        if getattr(field, "verbose_name", None):
            return str(field.verbose_name).capitalize()
    return key.replace("_", " ").capitalize()


def _value(model, key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if model is not None and isinstance(value, str):
        try:
            choices = dict(model._meta.get_field(key).flatchoices)
        except FieldDoesNotExist:
            choices = {}
        if value in choices:
            return str(choices[value])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def readable_audit(events) -> list[dict]:
    """Each event with ``label`` and ``changes``: (field, before, after) for every key that
    the event's before or after names."""
    rows = []
    for event in events:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            model = None
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        changes = [{"field": _field_label(model, key),
                    "before": _value(model, key, before.get(key)) if key in before else "",
                    "after": _value(model, key, after.get(key)) if key in after else ""}
                   for key in dict.fromkeys([*before, *after])]
        rows.append({"event": event, "label": action_label(event.action), "changes": changes})
    return rows
