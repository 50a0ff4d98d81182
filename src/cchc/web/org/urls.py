from django.urls import path

from cchc.web.org import views

urlpatterns = [
    path("", views.units, name="units"),
    path("import/", views.units_import, name="units-import"),
]
