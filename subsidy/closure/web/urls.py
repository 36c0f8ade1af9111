from django.urls import path

from subsidy.closure.web import portfolio, views

app_name = "closure"

urlpatterns = [
    path("<int:grant_id>/closure/", views.closure_view, name="grant"),
    path("portfolio/", portfolio.portfolio_view, name="portfolio"),
]
