"""The regional world: regions as tori, forces, the calendar, revenge, attacks,
displacement and the plug-in mechanisms, on the engine core."""
