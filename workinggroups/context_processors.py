from django.utils.functional import SimpleLazyObject


def roles(request):
    """Role flags for the navigation; evaluated (one query) only where a template asks."""
    from members.selectors import is_office_staff
    from workinggroups.selectors import is_moderator

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_moderator": False, "is_office_staff": False}
    return {
        "is_moderator": SimpleLazyObject(lambda: is_moderator(user)),
        "is_office_staff": SimpleLazyObject(lambda: is_office_staff(user)),
    }
