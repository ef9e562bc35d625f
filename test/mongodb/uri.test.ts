/** What the MongoDB adapter reads from a connection string (no server involved). */
import { databaseOf, hasOption, hostsOf, isMongoUri } from '../../src/store/mongodb/uri';

describe('MongoDB connection strings', () => {
  it('recognises mongodb:// and mongodb+srv://, and nothing else', () => {
    expect(isMongoUri('mongodb://db1:27017/accord')).toBe(true);
    expect(isMongoUri('mongodb+srv://cluster.example.org/accord')).toBe(true);
    expect(isMongoUri('MONGODB://db1')).toBe(true);
    for (const other of ['accord.db', 'sqlite:accord.db', ':memory:', './mongodb/accord.db', 'mongodb.db']) expect(isMongoUri(other)).toBe(false);
  });

  it('names the hosts without credentials or options, for messages', () => {
    expect(hostsOf('mongodb://accord:s3cr%40t@db1:27017,db2:27017,db3:27017/accord?replicaSet=rs0&authSource=admin')).toBe(
      'db1:27017,db2:27017,db3:27017',
    );
    expect(hostsOf('mongodb+srv://user:pw@cluster0.example.org/?tls=true')).toBe('cluster0.example.org');
    expect(hostsOf('mongodb://localhost')).toBe('localhost');
    expect(hostsOf('mongodb://localhost?directConnection=true')).toBe('localhost');
  });

  it('takes the database from the path, else accord', () => {
    expect(databaseOf('mongodb://u:p@db1:27017,db2:27017/exchange?replicaSet=rs0')).toBe('exchange');
    expect(databaseOf('mongodb+srv://cluster0.example.org/intel%2Dshare')).toBe('intel-share');
    expect(databaseOf('mongodb://db1:27017/?replicaSet=rs0')).toBe('accord');
    expect(databaseOf('mongodb://db1:27017')).toBe('accord');
    expect(databaseOf('mongodb://db1?tls=true')).toBe('accord');
  });

  it('sees whether the string sets an option itself, whatever its case', () => {
    expect(hasOption('mongodb://db1/?serverSelectionTimeoutMS=30000', 'serverSelectionTimeoutMS')).toBe(true);
    expect(hasOption('mongodb://db1/?tls=true&serverselectiontimeoutms=1', 'serverSelectionTimeoutMS')).toBe(true);
    expect(hasOption('mongodb://db1/?connectTimeoutMS=1', 'serverSelectionTimeoutMS')).toBe(false);
    expect(hasOption('mongodb://db1/accord', 'serverSelectionTimeoutMS')).toBe(false);
  });
});
