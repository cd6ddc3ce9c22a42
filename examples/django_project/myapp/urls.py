from django.urls import path

from . import async_views, views

urlpatterns = [
    path("emails/welcome/", views.send_welcome_email, name="send_welcome_email"),
    path("reports/", views.generate_report, name="generate_report"),
    path("items/process/", async_views.async_batch_process, name="async_batch_process"),
    path("jobs/<str:job_id>/", views.job_status, name="job_status"),
]
