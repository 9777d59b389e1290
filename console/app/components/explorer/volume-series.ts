// The log volume histogram's series: one stacked series per level present, in the explorer's level colours.
import { useMemo } from 'react';
import type { ExplorerLogOverviewQuery } from '../../graphql/explorer/generated.ts';
import { LEVEL_COLORS, LEVELS } from './colors.ts';

export function useVolumeSeries(volume: ExplorerLogOverviewQuery['logVolume'] | null) {
  return useMemo(() => {
    if (!volume) return null;
    const present = LEVELS.filter((level) => volume.buckets.some((b) => b.counts.some((c) => c.level === level)));
    return {
      timestamps: volume.buckets.map((b) => Date.parse(b.start)),
      series: present.map((level) => ({
        label: level.toLowerCase(),
        unit: '',
        color: LEVEL_COLORS[level],
        values: volume.buckets.map((b) => b.counts.find((c) => c.level === level)?.count ?? 0),
      })),
    };
  }, [volume]);
}
