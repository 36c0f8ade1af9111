"""An application through the partner API, as a portal sends it: every section filled in
one request, a business plan uploaded, and the draft submitted."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders.applicants import BUDGET, MILESTONES, PROJECT, RAI, TEAM, pdf_bytes

FILLED = {**PROJECT, **RAI, "budget_lines": BUDGET, "milestones": MILESTONES,
          "team_members": TEAM, "declares_accurate": True,
          "declares_no_double_funding": True, "declares_compliance": True,
          "privacy_notice_accepted": True}


def url(application, suffix=""):
    return f"/api/v1/applications/{application['id']}/{suffix}"


def fill(client, application):
    response = client.patch(url(application), {**FILLED, "version": application["version"]},
                            format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def upload(client, application, name="plan.pdf", content=None, **headers):
    return client.post(url(application, "documents/"),
                       {"document_type": "business_plan",
                        "file": SimpleUploadedFile(name, content or pdf_bytes())},
                       format="multipart", **headers)


def submit(client, application):
    fill(client, application)
    upload(client, application)
    response = client.post(url(application, "submit/"))
    assert response.status_code == 200, response.json()
    return response.json()
