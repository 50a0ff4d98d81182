from django.contrib.auth import views as auth_views
from django.urls import path

from cchc.web.accounts import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", views.people, name="people"),
    path("people/<id:assignment_id>/remove/", views.people_remove, name="people-remove"),
]
