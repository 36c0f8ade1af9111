"""What the agreements give the lower layers when the app is ready: the signature that the
application's ``accept_offer`` step requires."""

from applicants.workflow import SIGNATURE, transition_effect_register
from subsidy.agreements.services.signing import offer_signature_record


def register() -> None:
    transition_effect_register(transition_name="accept_offer", effect=offer_signature_record,
                               part=SIGNATURE)
