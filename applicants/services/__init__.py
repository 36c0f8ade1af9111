"""Services of the applicant side, by topic: organisations and members, drafts, documents,
the submission checks, references and versions, and submission itself."""
