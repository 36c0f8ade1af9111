"""The scheme's fixed rules on grants, written once. They are product rules (the same for
every deployment, stated in the guidance notes and the offer letter), not settings."""

# An offer of a grant stays open this many days; then it lapses and its commitment is
# released.
OFFER_VALIDITY_DAYS = 14

# An exceptional case lets the panel go above a round's ratio cap, never above this; no round
# may set its own cap higher.
EXCEPTIONAL_RATIO_CAP_PERCENT = 90
