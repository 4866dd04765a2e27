from django.urls import path

from reports import views

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
]
