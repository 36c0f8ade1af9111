"""Offers signed the way owners sign them: through the signing service, or through the
signing page after confirming who they are."""

import re

from django.urls import reverse

from subsidy.agreements.services.signing import Signature, offer_document_current, offer_sign
from subsidy.scheme.models import Grant
from tests.builders.accounts import FACTORY_PASSWORD, confirm_identity

SHA = re.compile(r'name="document_sha256" value="([0-9a-f]{64})"')


def sign_offer(owner, application, *, name="Chan Tai Man", title="Director",
               ip_address="203.0.113.7"):
    """The owner accepts the application's offer by signing the document as it stands."""
    grant = Grant.objects.get(application_id=application.pk)
    grant.application = application  # the caller's object follows the step
    document = offer_document_current(grant=grant)
    return offer_sign(actor=owner, grant=grant,
                      signature=Signature(name=name, title=title, sha256=document.sha256,
                                          ip_address=ip_address))


def shown_sha256(page: str) -> str:
    """The hash the signing page carries: the document it shows."""
    return SHA.search(page).group(1)


def sign_from_page(client, application, *, password=FACTORY_PASSWORD, name="Chan Tai Man",
                   title="Director"):
    """Open the signing page, confirm the password, and sign what the page showed."""
    grant = Grant.objects.get(application_id=application.pk)
    url = reverse("agreements:sign", args=[grant.pk])
    page = client.get(url).content.decode()
    confirm_identity(client, password)
    return client.post(url, {"signer_name": name, "signer_title": title, "confirm": "on",
                             "document_sha256": shown_sha256(page)})
