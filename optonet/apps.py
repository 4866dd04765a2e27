from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OptonetConfig(AppConfig):
    name = "optonet"
    verbose_name = "OptoNet"


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (logins through allauth, MFA-checked)."""

    default = False  # named explicitly in INSTALLED_APPS; "optonet" itself is OptonetConfig
    default_site = "optonet.admin_site.PortalAdminSite"
