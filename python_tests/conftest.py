"""Shared pytest fixtures."""

import pytest

from segmentation.demo_data import generate_company_with_personas


@pytest.fixture(scope="session")
def demo_company():
    """(customers, orders, persona) for 2,000 synthetic customers, seed 7."""
    return generate_company_with_personas(2_000, random_state=7)
