"""Sign-in and password pages, under ``/accounts/``."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from tutela.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("security/", views.security, name="security"),
    path("sign-out/", LogoutView.as_view(), name="sign-out"),
    path("password/", views.password_change, name="password-change"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path(
        "password/reset/<str:token>/", views.password_reset_confirm, name="password-reset-confirm"
    ),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("language/", views.set_language, name="set-language"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email-change-confirm"),
]
