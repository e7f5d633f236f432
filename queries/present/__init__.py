"""Presentation: the HTML audit report, SVG charts, the pyvis case picture and its layout, CSV views."""
