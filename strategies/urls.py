from django.urls import path

from .views import members, projects

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/new/", projects.project_create_view, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/members/", members.member_list, name="member_list"),
    path("projects/<int:pk>/members/<int:membership_pk>/remove/", members.member_remove, name="member_remove"),
    path("projects/<int:pk>/members/<int:membership_pk>/role/", members.member_change_role, name="member_change_role"),
]
