from django import template

from subsidy.notifications.events import event_label

register = template.Library()


@register.filter
def event_title(code: str):
    """The translated title of a notification event, as the inbox shows it."""
    return event_label(code)
