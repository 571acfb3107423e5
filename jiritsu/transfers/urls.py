from django.urls import path

from jiritsu.transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/accept/", views.transfer_accept, name="accept"),
    path("<int:pk>/decline/", views.transfer_decline, name="decline"),
    path("<int:pk>/withdraw/", views.transfer_withdraw, name="withdraw"),
    path("episodes/<int:pk>/continue/", views.episode_continue, name="continue"),
    path("people/<int:pk>/", views.person_transfers, name="person"),
    path("people/<int:pk>/person-file/", views.person_file_export, name="export"),
    path("import/", views.person_file_import, name="import"),
]
