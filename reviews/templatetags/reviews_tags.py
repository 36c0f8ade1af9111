from django import template

from reviews.selectors.assessment import reviewer_assignments

register = template.Library()


@register.inclusion_tag("reviews/_assignment_list.html", takes_context=True)
def reviewer_assignment_list(context):
    """The signed-in reviewer's assignments, for their dashboard."""
    return {"assignments": reviewer_assignments(user=context["request"].user)}
