"""Applicant pages: the company profile and members, and applications from draft to
decision. Views parse input, call one service or selector, and render."""
