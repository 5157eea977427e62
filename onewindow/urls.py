from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from onewindow.accounts.permissions import public
from onewindow.api import api

admin.site.site_header = "OneWindow 政务服务中心管理后台"
admin.site.site_title = "OneWindow 管理后台"
admin.site.index_title = "大厅管理"

urlpatterns = [
    # First: the API is the busiest prefix, and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("open311/v2/", include("onewindow.hotline.open311_urls")),  # decision 41
    path("", include("onewindow.web.urls")),
    path("", include("onewindow.catalog.urls")),
    path("", include("onewindow.cases.urls")),
    path("", include("onewindow.queueing.urls")),
    path("", include("onewindow.documents.urls")),
    path("", include("onewindow.notify.urls")),
    path("", include("onewindow.payments.urls")),
    path("", include("onewindow.licenses.urls")),
    path("", include("onewindow.bundles.urls")),
    path("", include("onewindow.projects.urls")),
    path("", include("onewindow.supervision.urls")),
    path("", include("onewindow.foresight.urls")),
    path("", include("onewindow.stats.urls")),
    path("", include("onewindow.ratings.complaint_urls")),
    path("", include("onewindow.ratings.urls")),
    path("", include("onewindow.ratings.rectification_urls")),
    path("", include("onewindow.assessment.urls")),
    path("", include("onewindow.hotline.urls")),
    path("", include("onewindow.hotline.figures_urls")),
    path("", include("onewindow.market.agency_urls")),
    path("", include("onewindow.market.urls")),
    path("", include("onewindow.market.contract_urls")),
    path("", include("onewindow.trading.urls")),
    path("", include("onewindow.trading.stats_urls")),
    path(
        "accounts/login/",
        public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
]
