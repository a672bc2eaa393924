import pytest
from django.core.management import call_command

from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_sees_the_progress_dashboard(page, all_content):
    call_command("seed_demo_data", users=1, reviews=1500, prefix="demo", mocks=2, verbosity=0)
    login(page, "demo0001", "demo-password")
    page.goto("/progress/")
    page.get_by_role("heading", name="Prontidão para o exame").wait_for()
    page.get_by_role("img", name="Revisões por dia nos últimos 365 dias").wait_for()
    page.get_by_role("img", name="Notas dos simulados").wait_for()
    check_a11y(page, "progress-dashboard")
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 390, "height": 844})
    check_a11y(page, "progress-dashboard-phone-dark")


def test_student_sets_an_exam_date_and_sees_the_plan(page, all_content):
    import datetime

    call_command("seed_demo_data", users=1, reviews=800, prefix="plan", mocks=2, verbosity=0)
    login(page, "plan0001", "demo-password")
    page.goto("/study/settings/")
    day = datetime.date.today() + datetime.timedelta(days=45)
    page.locator("#id_exam_date").fill(day.isoformat())
    page.get_by_role("button", name="Salvar data do exame").click()
    page.get_by_text("Data do exame salva.").wait_for()
    page.goto("/")
    page.get_by_role("heading", name="Seu exame").wait_for()
    page.get_by_text("No seu ritmo atual").wait_for()
    check_a11y(page, "home-plan")
    page.goto("/progress/")
    page.get_by_text("No seu ritmo atual").wait_for()
    page.get_by_role("link", name="Como a previsão é calculada").click()
    page.get_by_role("heading", name="Como a previsão de nota é calculada").wait_for()
    check_a11y(page, "progress-model")
