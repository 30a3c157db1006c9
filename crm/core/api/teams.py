"""/api/v1/teams/ and /api/v1/regions/: thin adapters over crm.core.teams, crm.core.regions
and their selectors.

Teams: admins read and write; managers read the teams they manage; others 403. A team
answers ``{"id", "name", "managers": [user ids], "members": [user ids], "region",
"archived"}``; PATCH replaces the lists it is given; POST .../archive/ and .../restore/;
no DELETE (teams are archived). Regions: every staff user reads the list; admins write.
Unknown user or region ids answer 400 naming the field; another tenant's ids are 404.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.core import regions as region_services
from crm.core import teams as team_services
from crm.core.api.viewsets import VisibleModelViewSet
from crm.core.models import Region, Team
from crm.core.team_selectors import team_get_for, team_list
from tenants.users.permissions import Capability, can


class TeamSerializer(serializers.ModelSerializer):
    managers = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     default=list)
    members = serializers.ListField(child=serializers.IntegerField(), required=False,
                                    default=list)
    region = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      source="region_id")
    archived = serializers.BooleanField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "managers", "members", "region", "archived", "archived_at"]
        read_only_fields = ["id", "archived", "archived_at"]

    def to_representation(self, instance: Team) -> dict[str, Any]:
        return {
            "id": instance.pk, "name": instance.name,
            # Prefetched by team_list: no query per team.
            "managers": sorted(user.pk for user in instance.managers.all()),
            "members": sorted(user.pk for user in instance.members.all()),
            "region": instance.region_id, "archived": instance.archived,
            "archived_at": instance.archived_at.isoformat() if instance.archived_at else None,
        }


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      source="parent_id")

    class Meta:
        model = Region
        fields = ["id", "name", "parent", "active"]
        read_only_fields = ["id"]


class TeamViewSet(VisibleModelViewSet):
    serializer_class = TeamSerializer
    write_capability = Capability.MANAGE_SETTINGS
    http_method_names = ("get", "post", "patch", "head", "options")
    ordering = ["-id"]
    search_fields = ["name"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not (can(request.user, Capability.MANAGE_SETTINGS)
                or can(request.user, Capability.SEE_TEAM_RECORDS)):
            raise PermissionDenied

    def visible_queryset(self) -> QuerySet[Team]:
        return team_list(viewer=self.request.user).order_by("-id")

    def get_object(self) -> Team:
        return team_get_for(viewer=self.request.user, team_id=self.kwargs["pk"])

    def _answer(self, team: Team, code: int = status.HTTP_200_OK) -> Response:
        fresh = team_get_for(viewer=self.request.user, team_id=team.pk)
        return Response(TeamSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        team = team_services.team_create(
            actor=request.user, name=values["name"], managers=values["managers"],
            members=values["members"], region=values["region_id"])
        return self._answer(team, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = self.get_object()
        data = TeamSerializer(team, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        given = {name: data.validated_data[name] for name in ("name", "managers", "members")
                 if name in request.data}
        if "region" in request.data:
            given["region"] = data.validated_data.get("region_id")
        team = team_services.team_update(team=team, actor=request.user, **given)
        return self._answer(team)

    @extend_schema(request=None, responses={200: TeamSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self._answer(team_services.team_archive(team=self.get_object(),
                                                       actor=request.user))

    @extend_schema(request=None, responses={200: TeamSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        return self._answer(team_services.team_restore(team=self.get_object(),
                                                       actor=request.user))


class RegionViewSet(VisibleModelViewSet):
    serializer_class = RegionSerializer
    write_capability = Capability.MANAGE_SETTINGS
    http_method_names = ("get", "post", "patch", "head", "options")
    ordering = ["-id"]
    search_fields = ["name"]

    def visible_queryset(self) -> QuerySet[Region]:
        return region_services.region_list().order_by("-id")

    def get_object(self) -> Region:
        return region_services.region_get(region_id=self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RegionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        region = region_services.region_create(
            actor=request.user, name=values["name"], parent=values["parent_id"],
            active=values.get("active", True))
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        region = self.get_object()
        data = RegionSerializer(region, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        region = region_services.region_update(
            region=region, actor=request.user, name=values.get("name", region.name),
            parent=values["parent_id"] if "parent" in request.data else region.parent_id,
            active=values.get("active", region.active))
        return Response(RegionSerializer(region).data)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("teams", TeamViewSet, basename="team")
    router.register("regions", RegionViewSet, basename="region")
