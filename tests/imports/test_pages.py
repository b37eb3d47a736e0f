import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from risks import roles
from risks.imports.files import MAX_BYTES
from risks.models import ImportBatch, Register, SubRisk
from tests.factories import UserFactory
from tests.imports.conftest import edited_workbook, json_bytes, row_of

pytestmark = pytest.mark.django_db

ONTO = "/registers/SRR-2017/import/"
NEW = "/registers/import/"


def upload(client, url, content, name="srr.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("url", [ONTO, NEW])
def test_import_pages_are_for_editors_only(
    url, register_2017, viewer, methodology_admin, editor_client
):
    assert Client().get(url)["Location"] == f"/accounts/login/?next={url}"
    for user in (viewer, methodology_admin):
        other = Client()
        other.force_login(user)
        assert other.get(url).status_code == 403
        assert upload(other, url, b"{}").status_code == 403
    response = editor_client.get(url)
    assert response.status_code == 200
    assert '<input type="file" name="file" id="id_file"' in response.content.decode()


def test_upload_shows_the_dry_run_and_changes_nothing(
    editor_client, register_2017, workbook_2017_bytes
):
    def edit(workbook):
        sheet = workbook["Register"]
        sheet.cell(row_of(sheet, "SRR-2017/9.a"), 7).value = "high"

    response = upload(editor_client, ONTO, edited_workbook(workbook_2017_bytes, edit))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registers/import/{batch.pk}/"
    page = editor_client.get(response["Location"]).content.decode()
    assert "Dry run: nothing changed yet" in page
    assert "<strong>Settlement impact</strong>" not in page
    assert (
        "<li><strong>Likelihood</strong>: <del>Low</del> "
        '<span aria-hidden="true">→</span><span class="visually-hidden"> becomes '
        "</span> <ins>High</ins></li>"
    ) in page
    assert "<li><strong>Rating</strong>: <del>Medium</del>" in page
    assert 'id="import-confirm"' in page
    assert SubRisk.objects.get(reference="SRR-2017/9.a").likelihood.value == 2


def test_confirming_applies_the_import_as_the_editor(
    editor_client, editor, register_2017, document_2017
):
    document_2017["areas"][9]["subrisks"][0]["impact"] = "Very High"
    upload(editor_client, ONTO, json_bytes(document_2017), name="srr.json")
    batch = ImportBatch.objects.get()

    response = editor_client.post(f"/registers/import/{batch.pk}/")

    assert response.status_code == 302
    subrisk = SubRisk.objects.get(reference="SRR-2017/10.a")
    assert (subrisk.impact.value, subrisk.rating.name) == (5, "Medium")
    assert subrisk.history.first().history_user == editor
    page = editor_client.get(response["Location"]).content.decode()
    assert 'id="import-applied"' in page
    assert 'id="import-confirm"' not in page
    again = editor_client.post(f"/registers/import/{batch.pk}/")
    assert again.status_code == 409
    assert "This import was applied already." in again.content.decode()


def test_a_file_with_errors_is_refused_with_every_problem_and_nothing_kept(
    editor_client, register_2017, workbook_2017_bytes
):
    def edit(workbook):
        workbook["Register"]["G2"] = "Often"
        workbook["Register"]["E3"] = None

    response = upload(editor_client, ONTO, edited_workbook(workbook_2017_bytes, edit))

    page = response.content.decode()
    assert response.status_code == 400
    assert "The file cannot be imported (2 problems)" in page
    assert (
        "<li>Register sheet, row 2, column Likelihood: unknown likelihood "
        "&#x27;Often&#x27;; give a label (Very Low, Low, Medium, High, Very High) or "
        "a value (1 to 5)</li>"
    ) in page
    assert "<li>Register sheet, row 3, column Description: is required</li>" in page
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Reference,Area\r\n", "File: wrong file type"),
        (b"", "The file is empty."),
        (b"{broken", "File: not valid JSON at line 1, column 2"),
    ],
)
def test_bad_files_get_a_400_naming_the_problem(
    editor_client, register_2017, content, message
):
    response = upload(editor_client, ONTO, content, name="data.xlsx")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_file_too_large_is_refused(editor_client, register_2017):
    response = upload(editor_client, NEW, b"{" + b" " * MAX_BYTES + b"}")

    assert response.status_code == 400
    assert "File: the file is too large (5.0 MB)" in response.content.decode()


def test_no_file_gets_a_400(editor_client, register_2017):
    response = editor_client.post(ONTO, {})

    assert response.status_code == 400
    assert "Choose a file to import." in response.content.decode()


def test_a_new_register_is_created_from_a_file(
    editor_client, editor, register_2017, document_2017
):
    document_2017["register"]["reference"] = "SRR-2018"
    upload(editor_client, NEW, json_bytes(document_2017), name="new.json")
    batch = ImportBatch.objects.get()
    preview = editor_client.get(f"/registers/import/{batch.pk}/").content.decode()
    assert "New register" in preview

    editor_client.post(f"/registers/import/{batch.pk}/")

    register = Register.objects.get(reference="SRR-2018")
    assert register.history.get().history_user == editor
    assert SubRisk.objects.filter(area__register=register).count() == 13


def test_onto_an_unknown_register_is_404(editor_client, register_2017):
    assert editor_client.get("/registers/NOPE/import/").status_code == 404


def test_an_import_belongs_to_its_uploader(editor_client, register_2017, document_2017):
    upload(editor_client, ONTO, json_bytes(document_2017), name="srr.json")
    batch = ImportBatch.objects.get()
    colleague = UserFactory(username="colleague")
    colleague.groups.add(Group.objects.get(name=roles.EDITOR))
    other = Client()
    other.force_login(colleague)

    assert other.get(f"/registers/import/{batch.pk}/").status_code == 404
    assert other.post(f"/registers/import/{batch.pk}/").status_code == 404
    assert ImportBatch.objects.get().applied_at is None


def test_an_unchanged_file_says_there_is_nothing_to_import(
    editor_client, register_2017, document_2017
):
    upload(editor_client, ONTO, json_bytes(document_2017), name="srr.json")
    batch = ImportBatch.objects.get()

    page = editor_client.get(reverse("risks:import-detail", args=[batch.pk]))

    assert 'id="import-nothing"' in page.content.decode()


def test_the_preview_page_reads_in_a_fixed_number_of_queries(
    editor_client, register_2017, document_2017, django_assert_max_num_queries
):
    document_2017["areas"].pop()
    upload(editor_client, ONTO, json_bytes(document_2017), name="srr.json")
    batch = ImportBatch.objects.get()

    with django_assert_max_num_queries(6):
        editor_client.get(f"/registers/import/{batch.pk}/")
