"""Labels of a field's choices, for pages that show many of them."""


def choice_label(choices, value):
    """What ``get_FOO_display()`` shows, translating only the label shown: Django's
    translates every label of the field's choices to look one up (it hashes the lazy
    labels): a few hundred calls for one label."""
    for choice, label in choices:
        if choice == value:
            return str(label)
    return value
