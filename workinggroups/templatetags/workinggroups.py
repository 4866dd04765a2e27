"""Template tags with which pages of lower apps (the profile in `members`) show working-group
facts without importing this app."""

from django import template

from workinggroups import selectors

register = template.Library()


@register.simple_tag
def followed_groups(person):
    """The person's follows (active and pending), for "My working groups" on the profile."""
    return selectors.groups_followed_by(person)
