"""Files exchanged with the bank: the ISO 20022 pain.001 credit-transfer file a released
batch is sent as, and the statements (ISO 20022 camt.053 or CSV) read back to settle it."""
