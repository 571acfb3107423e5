from django.urls import path

from jiritsu.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:code>/", views.template_create, name="template_create"),
    path("training/", views.training_list, name="training_list"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("sessions/", views.series_list, name="series_list"),
    path("sessions/<int:pk>/", views.series_detail, name="series_detail"),
    path("staff-training/", views.staff_training_list, name="staff_training_list"),
    path("staff-training/<int:pk>/", views.staff_training_detail,
         name="staff_training_detail"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("people/<int:pk>/", views.person_support, name="person_support"),
    path("partners/areas/", views.partner_areas, name="partner_areas"),
    path("programs/<int:pk>/non-recipient/", views.non_recipient_register,
         name="non_recipient"),
]
