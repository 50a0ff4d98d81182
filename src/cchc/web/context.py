"""Template context: the signed-in person's roles, for menus only (permission checks live in the policy)."""

from cchc.web.accounts import policy


def roles(request):
    user = getattr(request, "user", None)
    g = policy.grants(user)
    return {
        "cchc_is_admin": g.is_admin,
        "cchc_reads_all": g.reads_all,
        "cchc_roles": sorted(g.roles),
    }
