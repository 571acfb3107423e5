from django.urls import path

from jiritsu.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("office/switch/", views.switch_office, name="switch_office"),
]
