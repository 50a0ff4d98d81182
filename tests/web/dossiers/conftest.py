"""Fixtures of the service-delivery page tests: a synthetic dossier store and the small province with units whose
codes are the store's."""

from __future__ import annotations

import pytest
from tests.web.dossiers.helpers import SPEC, UNITS

from cchc.services.synth import write_synth
from cchc.web.dossiers import services as data


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("dossier-store")
    write_synth(SPEC, root)
    return root


@pytest.fixture
def svc(world, settings, synth_store):
    """The world's users and units plus web Units whose codes are the synthetic store's; a focal point of U0001."""
    from django.contrib.auth import get_user_model

    from cchc.web.accounts.models import Role, RoleAssignment
    from cchc.web.org.models import Unit

    settings.CCHC_DOSSIER_STORE = synth_store
    settings.CCHC_IMPORTS_INLINE = True  # the import job runs before the redirect (the thread: test_services_jobs)
    data.clear_cache()
    units = {code: Unit.objects.create(code=code, name=name, unit_type="commune" if code[0] == "U" else "district")
             for code, name in UNITS.items()}
    user = get_user_model().objects.create_user("focal_u1", "f@example.invalid", "test-pass-123")
    RoleAssignment.objects.create(user=user, role=Role.FOCAL, unit=units["U0001"])
    world.users["focal_u1"] = user
    return world




