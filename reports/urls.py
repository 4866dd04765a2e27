from django.urls import path

from reports import views, views_report

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/survey/", views.survey, name="survey"),
    path("reports/survey/<int:year>/<slug:section>/", views.survey_section, name="survey_section"),
    path("reports/survey/link/<str:token>/", views.survey_link, name="survey_link"),
    path(
        "reports/survey/link/<str:token>/<slug:section>/",
        views.survey_link,
        name="survey_link_section",
    ),
    path("reports/<int:year>/", views_report.report_page, name="report"),
    path(
        "reports/<int:year>/report-<str:language>.pdf",
        views_report.report_pdf,
        name="report_pdf",
    ),
    path(
        "reports/<int:year>/benchmark/<int:organization_id>/",
        views_report.benchmark_page,
        name="benchmark",
    ),
    path(
        "reports/<int:year>/benchmark/<int:organization_id>/sheet.pdf",
        views_report.benchmark_pdf,
        name="benchmark_pdf",
    ),
]
