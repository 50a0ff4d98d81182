from django.urls import path

from cchc.web.results import views

urlpatterns = [
    path("cycles/<id:cycle_id>/results/", views.results, name="results"),
    path("cycles/<id:cycle_id>/results.xlsx", views.results_xlsx, name="results-xlsx"),
    path("cycles/<id:cycle_id>/results/<str:unit_code>/", views.unit_result, name="unit-result"),
    path("cycles/<id:cycle_id>/publish/", views.publish, name="cycle-publish"),
    path("public/cycles/<id:cycle_id>/", views.public_results, name="public-results"),
]
