"""Template tags with which pages of lower apps (the profile in `members`) show working-group
facts without importing this app."""

from django import template

from workinggroups import selectors

register = template.Library()


@register.simple_tag
def followed_groups(person):
    """The person's follows (active and pending), for "My working groups" on the profile."""
    return selectors.groups_followed_by(person)


@register.simple_tag
def organisations_with_followed_groups(organizations):
    """The members' directory: each organisation gets `followed_groups`, the working groups its
    people follow (one query for all of them)."""
    from workinggroups.models import Follow, WorkingGroup

    organizations = list(organizations)
    pairs = set(
        Follow.objects.filter(
            state=Follow.State.ACTIVE,
            user__organization_id__in=[o.pk for o in organizations],
            group__is_active=True,
        ).values_list("user__organization_id", "group_id")
    )
    groups = {g.pk: g for g in WorkingGroup.objects.filter(pk__in={g for _o, g in pairs})}
    for organization in organizations:
        organization.followed_groups = sorted(
            (groups[g] for o, g in pairs if o == organization.pk),
            key=lambda group: (group.position, group.name_de),
        )
    return organizations
