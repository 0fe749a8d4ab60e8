"""Open elevation data to Minecraft worlds: source -> terrain -> decorations -> writers.

The core (everything but a future routes.py) imports nothing from the web side.
"""
