"""Messages of django-allauth and of Django's password validators that appear on our
account pages.

Listing them here puts them into our catalogue, so our Hong Kong Chinese wording takes
precedence over the libraries' own translations (our LOCALE_PATHS are searched first). Each
text must stay exactly as the library writes it; nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH_MESSAGES = (
    # Field labels and placeholders (allauth.account.forms and fields, allauth.mfa forms).
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Remember Me"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Authenticator code"),
    gettext_noop("Code"),
    gettext_noop("Recipient"),
    # Other ways to confirm it is you (allauth.account.adapter).
    gettext_noop("Use your password"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Use authenticator app or code"),
    # Form errors (allauth.account.adapter and forms, allauth.mfa.adapter).
    gettext_noop("This account is currently inactive."),
    gettext_noop("You cannot remove your primary email address."),
    gettext_noop("This email address is already associated with this account."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("Please type your current password."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Invalid or expired key."),
    gettext_noop("Invalid login."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("The email address is not assigned to any user account."),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("Please select only one."),
    gettext_noop("The new value must be different from the current one."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("You cannot add an email address to an account protected by two-factor "
                 "authentication."),
    gettext_noop("You cannot deactivate two-factor authentication."),
    gettext_noop("You cannot generate recovery codes without having two-factor "
                 "authentication enabled."),
    gettext_noop("You cannot activate two-factor authentication until you have verified "
                 "your email address."),
)

PASSWORD_VALIDATOR_MESSAGES = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy("Your password must contain at least %(min_length)d character.",
                  "Your password must contain at least %(min_length)d characters.", "min_length"),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy("This password is too short. It must contain at least %d character.",
                  "This password is too short. It must contain at least %d characters.", 12),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
)
