"""The observed record: event-file readers, name mapping, aggregation, the bundled iraq data.

Public entry points: `read_events` (any supported layout into one event frame),
`assign_regions` with a `RegionMap`, `aggregate`/`import_record` (region x month
tables), `fetch_ged` (download UCDP GED with a cache and a checksum), and
`iraq_observed` (the iraq-2009 record as an `EvidenceInput`). `EvidenceInput` and
`UNKNOWN_REGION` (`record/observations.py`) are what an observation is, for the record
and a simulation alike.
"""

from centrehold.record.aggregate import aggregate, import_record, read_table, write_table
from centrehold.record.events import (
    EVENT_COLUMNS,
    Event,
    ReadReport,
    events_to_frame,
    frame_to_events,
)
from centrehold.record.fetch import fetch_ged, ged_url
from centrehold.record.iraq import (
    iraq_class_map,
    iraq_governorate_classes,
    iraq_incident_sizes,
    iraq_observed,
    iraq_panel,
    iraq_size_classes,
    mixed_governorates,
)
from centrehold.record.names import (
    RegionMap,
    assign_regions,
    iraq_region_map,
    load_region_map,
    normalise_name,
)
from centrehold.record.observations import UNKNOWN_REGION, EvidenceInput
from centrehold.record.readers import (
    FORMATS,
    detect_format,
    read_acled,
    read_events,
    read_ged,
    read_ibc,
    read_ibc_province,
)
from centrehold.record.sizes import SIZE_CLASSES, size_class

__all__ = [
    "EVENT_COLUMNS",
    "FORMATS",
    "SIZE_CLASSES",
    "UNKNOWN_REGION",
    "Event",
    "EvidenceInput",
    "ReadReport",
    "RegionMap",
    "aggregate",
    "assign_regions",
    "detect_format",
    "events_to_frame",
    "fetch_ged",
    "frame_to_events",
    "ged_url",
    "import_record",
    "iraq_class_map",
    "iraq_governorate_classes",
    "iraq_incident_sizes",
    "iraq_observed",
    "iraq_panel",
    "iraq_region_map",
    "iraq_size_classes",
    "load_region_map",
    "mixed_governorates",
    "normalise_name",
    "read_acled",
    "read_events",
    "read_ged",
    "read_ibc",
    "read_ibc_province",
    "read_table",
    "size_class",
    "write_table",
]
