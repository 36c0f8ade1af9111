"""A user's own profile page."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from subsidy.platform.accounts import user_update_profile
from subsidy.platform.web.forms import ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, full_name=form.cleaned_data["full_name"],
                            language=form.cleaned_data["language"])
        messages.success(request, _("Your profile has been saved."))
        response = redirect("core:profile")
        # The chosen language applies at once, also over an earlier switcher choice.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"],
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
    return render(request, "subsidy/profile.html", {
        "form": form,
        "mfa_enabled": is_mfa_enabled(request.user),
    })
