"""Detector evaluation: person counts on labelled images, scenario clips with known truth."""
