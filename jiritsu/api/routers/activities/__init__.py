"""Activities (the seed programs' own features) through the activities services, one router
per feature: workplace adaptation training (``training``), Hello Work referrals
(``hello_work``), program templates (``templates``), the partner directory by area
(``partners``), the derived task list and people not on assistance (``tasks``), staff
training and learning meetings (``staff_training``), 清洲's route after the first interview and
the 阻害要因の解消 (``work_capacity``); ``common``
holds what they share. Group sessions are in ``activities_sessions``, a person's support
details in ``activities_support``. All are registered under the tag 活動, and their operation
ids keep the package name (``jiritsu_api_routers_activities_<function>``; see ``ContractAPI``).
"""

from __future__ import annotations

from jiritsu.api.routers.activities import (
    hello_work,
    partners,
    staff_training,
    tasks,
    templates,
    training,
    work_capacity,
)

ROUTERS = [training.router, hello_work.router, templates.router, partners.router, tasks.router,
           staff_training.router, work_capacity.router]
