import pytest

from onewindow.personas import published_item

STEPS = [{"name": "审查", "role": "reviewer", "days": 3}, {"name": "决定", "role": "department_head", "days": 1},
         {"name": "制证", "role": "reviewer", "days": 1}]  # fmt: skip


@pytest.fixture
def history_hall(world):
    """Three items in each of the hall's two departments (the slow one is drawn among them), for
    foresight.history to generate the cases of."""
    for i, (department, promised) in enumerate([(world.dept_a, 5), (world.dept_a, 10), (world.dept_a, 3),
                                                (world.dept_b, 5), (world.dept_b, 8), (world.dept_b, 3)]):  # fmt: skip
        steps = [dict(STEPS[0], days=promised - 2), STEPS[1], STEPS[2]]  # the steps fill the promise
        published_item(world, code=f"T-H-{i}", name=f"历史事项{i}", department=department.code,
                       promised_limit_days=promised, steps=steps)  # fmt: skip
    return world.hall
